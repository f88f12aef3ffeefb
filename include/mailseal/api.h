/* SPDX-License-Identifier: MIT */
/* Export and attribute markers shared by every public header. */
#ifndef MAILSEAL_API_H
#define MAILSEAL_API_H

#if defined(__GNUC__)
#define MS_API __attribute__((visibility("default")))
#define MS_MUST_CHECK __attribute__((warn_unused_result))
#define MS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define MS_API
#define MS_MUST_CHECK
#define MS_PRINTF(fmt, args)
#endif

#endif
