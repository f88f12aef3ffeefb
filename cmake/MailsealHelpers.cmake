# SPDX-License-Identifier: MIT
# Helpers so each folder's CMakeLists.txt stays a list of names.

# ms_unit_test(NAME SOURCES...): a cmocka test linked to libmailseal (with its internals),
# labelled "unit". Run from the source dir so tests can find files beside them.
function(ms_unit_test name)
    add_executable(${name} ${ARGN})
    target_link_libraries(${name} PRIVATE mailseal_internal PkgConfig::CMOCKA)
    target_compile_options(${name} PRIVATE ${MS_TEST_WARNINGS})
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "unit"
        ENVIRONMENT "MS_SOURCE_DIR=${CMAKE_SOURCE_DIR};CMOCKA_MESSAGE_OUTPUT=stdout")
endfunction()

# ms_fuzzer(NAME SOURCE): a libFuzzer target when MS_FUZZ is on; always a replay executable
# that runs every file of fuzz/corpus/NAME through the same entry point (label "fuzz-replay").
function(ms_fuzzer name source)
    add_executable(${name}_replay ${source} ${CMAKE_SOURCE_DIR}/fuzz/replay.c)
    target_link_libraries(${name}_replay PRIVATE mailseal_internal)
    target_compile_options(${name}_replay PRIVATE ${MS_WARNINGS})
    add_test(NAME fuzz_replay_${name}
             COMMAND ${name}_replay ${CMAKE_SOURCE_DIR}/fuzz/corpus/${name})
    set_tests_properties(fuzz_replay_${name} PROPERTIES LABELS "fuzz-replay")
    if(MS_FUZZ)
        add_executable(${name}_fuzz ${source})
        target_link_libraries(${name}_fuzz PRIVATE mailseal_internal)
        target_compile_options(${name}_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
        target_link_options(${name}_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
    endif()
endfunction()
