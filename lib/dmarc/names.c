/* SPDX-License-Identifier: MIT */
/* Names of the DMARC enums (from their X-macro lists) and the default options. */
#include <string.h>

#include "base/limits.h"
#include "mailseal/dmarc.h"

const char *ms_dmarc_result_name(ms_dmarc_result result)
{
    switch (result) {
#define MS_DMARC_RESULT_CASE(name, text)                                                           \
    case MS_DMARC_##name:                                                                          \
        return text;
        MS_DMARC_RESULT_MAP(MS_DMARC_RESULT_CASE)
#undef MS_DMARC_RESULT_CASE
    }
    return "unknown";
}

const char *ms_dmarc_policy_name(ms_dmarc_policy policy)
{
    switch (policy) {
#define MS_DMARC_POLICY_CASE(name, text)                                                           \
    case MS_DMARC_POLICY_##name:                                                                   \
        return text;
        MS_DMARC_POLICY_MAP(MS_DMARC_POLICY_CASE)
#undef MS_DMARC_POLICY_CASE
    }
    return "unknown";
}

const char *ms_dmarc_policy_tag_name(ms_dmarc_policy_tag tag)
{
    switch (tag) {
    case MS_DMARC_TAG_P:
        return "p";
    case MS_DMARC_TAG_SP:
        return "sp";
    case MS_DMARC_TAG_NP:
        return "np";
    }
    return "unknown";
}

const char *ms_dmarc_mode_name(ms_dmarc_mode mode)
{
    switch (mode) {
    case MS_DMARC_MODE_RFC9989:
        return "rfc9989";
    case MS_DMARC_MODE_RFC7489:
        return "rfc7489";
    }
    return "unknown";
}

void ms_dmarc_options_default(ms_dmarc_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->mode = MS_DMARC_MODE_RFC9989;
    opt->psl = NULL;
    opt->max_tree_queries = MS_LIMIT_DMARC_TREE_QUERIES;
    opt->max_author_domains = MS_LIMIT_DMARC_AUTHOR_DOMAINS;
    opt->pct_roll = -1;
}
