/* SPDX-License-Identifier: MIT */
/* Small helpers over libyaml's document API for the conformance drivers. */
#include <string.h>

#include "yamltree.h"

yaml_node_t *yt_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    if (map == NULL || map->type != YAML_MAPPING_NODE) {
        return NULL;
    }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE &&
            strcmp((const char *)k->data.scalar.value, key) == 0) {
            return yaml_document_get_node(doc, p->value);
        }
    }
    return NULL;
}

const char *yt_str(yaml_node_t *node)
{
    return (node && node->type == YAML_SCALAR_NODE) ? (const char *)node->data.scalar.value : NULL;
}

size_t yt_len(yaml_node_t *node)
{
    return (node && node->type == YAML_SCALAR_NODE) ? node->data.scalar.length : 0;
}
