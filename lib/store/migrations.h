/* SPDX-License-Identifier: MIT */
/* The schema migrations built into the library (generated from the .sql files of
 * lib/store/migrations by cmake/EmbedMigrations.cmake), in ascending version order. */
#ifndef MS_STORE_MIGRATIONS_H
#define MS_STORE_MIGRATIONS_H

#include <stddef.h>

typedef struct {
    int version;
    const char *name;
    const char *sqlite_sql;   /* the script for SQLite */
    const char *postgres_sql; /* the script for PostgreSQL (often the same text) */
} ms__store_migration;

extern const ms__store_migration ms__store_migrations[];
extern const size_t ms__store_n_migrations;

#endif
