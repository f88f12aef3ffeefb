/* SPDX-License-Identifier: MIT */
/* Small helpers over libyaml's document API for the conformance drivers. */
#ifndef MS_TEST_YAMLTREE_H
#define MS_TEST_YAMLTREE_H

#include <stddef.h>
#include <yaml.h>

/* Value of key in a mapping node, or NULL. */
yaml_node_t *yt_get(yaml_document_t *doc, yaml_node_t *map, const char *key);
/* Scalar text (NUL-terminated by libyaml) or NULL if the node is not a scalar. */
const char *yt_str(yaml_node_t *node);
size_t yt_len(yaml_node_t *node);

#endif
