# SPDX-License-Identifier: MIT
# The asan preset: AddressSanitizer + UndefinedBehaviorSanitizer, any UB report aborts.
if(MS_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                        -fno-omit-frame-pointer -g)
    add_link_options(-fsanitize=address,undefined)
endif()

# The fuzz preset: the whole library is instrumented for coverage, so libFuzzer sees the
# parsers' branches (not only the target file's); the targets add -fsanitize=fuzzer to link.
if(MS_FUZZ)
    add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g)
    add_link_options(-fsanitize=address,undefined)
endif()
