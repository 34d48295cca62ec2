/*
 * args.h — a command's own arguments: options ("--role admin" or
 * "--role=admin"), flags ("--dry-run") and positional arguments (those
 * that are neither an option nor an option's value). An option whose
 * value is missing reads as absent.
 */
#ifndef BASE_ARGS_H
#define BASE_ARGS_H

#include <stdbool.h>

/* The value of --name, or NULL. */
const char *args_opt(int argc, char **argv, const char *name);

/* True when --name is present (alone). */
bool args_flag(int argc, char **argv, const char *name);

/* The k-th (from 0) positional argument, or NULL. flags lists the names
 * of the options that take no value (NULL-terminated, may be NULL), so
 * that "--dry-run FILE" reads FILE as positional. */
const char *args_pos(int argc, char **argv, int k, const char *const *flags);

#endif
