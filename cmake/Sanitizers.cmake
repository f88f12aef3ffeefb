# SPDX-License-Identifier: MIT
# The asan preset: AddressSanitizer + UndefinedBehaviorSanitizer, any UB report aborts.
if(MS_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                        -fno-omit-frame-pointer -g)
    add_link_options(-fsanitize=address,undefined)
endif()
