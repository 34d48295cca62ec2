/*
 * routes.h — the application's route table (routes.c).
 */
#ifndef ROUTES_H
#define ROUTES_H

#include <stddef.h>

#include "http/http.h"

extern const struct route app_routes[];
extern const size_t app_nroutes;

#endif
