# SPDX-License-Identifier: MIT
# Warnings are errors everywhere; -Wconversion where the code is ours.
set(MS_WARNINGS
    -Wall -Wextra -Werror -Wconversion -Wsign-conversion -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wvla -Wformat=2 -Wundef -Wpointer-arith -Wcast-qual
    -Wno-unused-parameter)
# Test code uses cmocka macros that trip -Wconversion; it keeps the rest.
set(MS_TEST_WARNINGS -Wall -Wextra -Werror -Wno-unused-parameter -Wvla -Wshadow)
