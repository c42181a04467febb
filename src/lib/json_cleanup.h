/* json_cleanup.h: a jansson reference dropped when the variable goes out of scope. */
#pragma once

#include <jansson.h>

#define _cleanup_json_ __attribute__((cleanup(json_decrefp))) /* jansson's own helper */
