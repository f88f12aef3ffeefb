/* SPDX-License-Identifier: MIT */
#ifndef MAILSEAL_MILTER_CALLBACKS_H
#define MAILSEAL_MILTER_CALLBACKS_H
/* Registers the callbacks with libmilter: 0, or -1 when refused. */
int milter_callbacks_register(void);
#endif
