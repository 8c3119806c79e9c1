# Helpers that keep every module's CMakeLists.txt a few lines long.

# Warnings for our own code only (generated protobuf code is compiled without them).
set(WEFT_WARNINGS -Wall -Wextra -Wpedantic -Wno-unused-parameter)
if(WEFT_WERROR)
  # GCC 12 reports false array-bounds overflows inside std::string at -O2 (GCC PR 105651).
  list(APPEND WEFT_WARNINGS -Werror -Wno-error=array-bounds)
endif()

# Precompiled headers. Nearly every translation unit includes abseil's Status, protobuf
# messages and the standard containers, and every test Catch2; parsing them once per build
# instead of once per file takes a third off a clean build (figures in docs/BUILD.md).
# One PCH is built per kind and reused by every target of that kind, which therefore
# share compile options and definitions. Headers here must define nothing that differs
# between targets (fmt and spdlog do, through their CMake targets: keep them out).
set(WEFT_PCH_HEADERS
  <algorithm> <chrono> <cstdint> <filesystem> <functional> <map> <memory> <mutex>
  <optional> <string> <string_view> <utility> <vector>
  <absl/status/status.h> <absl/status/statusor.h> <absl/strings/str_cat.h>
  <google/protobuf/message.h> <google/protobuf/repeated_field.h>)
if(WEFT_PCH)
  add_library(weft_pch OBJECT ${PROJECT_SOURCE_DIR}/cmake/pch_anchor.cpp)
  target_compile_options(weft_pch PRIVATE ${WEFT_WARNINGS})
  target_link_libraries(weft_pch PRIVATE absl::status absl::statusor protobuf::libprotobuf)
  target_precompile_headers(weft_pch PRIVATE ${WEFT_PCH_HEADERS})
endif()

# Gives `target` the shared PCH of its kind (weft_pch or weft_test_pch).
function(weft_use_pch target pch_target)
  if(WEFT_PCH)
    target_precompile_headers(${target} REUSE_FROM ${pch_target})
  endif()
endfunction()

# weft_add_module(<name> SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
# Defines the library target weft_<name> with the repository root as include path,
# so headers are included as "common/crypto/crypto.h".
function(weft_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target weft_${name})
  add_library(${target} STATIC ${ARG_SOURCES})
  target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>)
  target_compile_options(${target} PRIVATE ${WEFT_WARNINGS})
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  weft_use_pch(${target} weft_pch)
endfunction()

# weft_add_executable(<name> SOURCES ... [DEPS ...]) -> build/bin/<name>
function(weft_add_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${WEFT_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  weft_use_pch(${name} weft_pch)
endfunction()

# weft_add_test_helper(<name> SOURCES ... [DEPS ...]) -> build/tests/<name>: an
# executable that tests start as a separate process (crash writers, mock clusters);
# kept out of build/bin, which holds what users run.
function(weft_add_test_helper name)
  weft_add_executable(${name} ${ARGN})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
endfunction()

# The environment of every test (a test property list, empty when there is nothing to
# set): under AddressSanitizer, the suppressions of known leaks in uninstrumented
# system libraries (cmake/lsan-suppressions.txt), which child processes inherit.
set(WEFT_TEST_ENVIRONMENT "")
if(WEFT_SANITIZE MATCHES "address")
  set(WEFT_TEST_ENVIRONMENT ENVIRONMENT
      "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/cmake/lsan-suppressions.txt")
endif()

# weft_add_fixture_test(<name> SETUP|CLEANUP <fixture> LABEL <label> TIMEOUT <s>
#                       COMMAND <command...>)
# The set-up or clean-up test of a network shared through a CTest fixture, with the
# environment weft_add_tests gives its tests.
function(weft_add_fixture_test name)
  cmake_parse_arguments(ARG "" "SETUP;CLEANUP;LABEL;TIMEOUT" "COMMAND" ${ARGN})
  if(ARG_SETUP)
    set(role FIXTURES_SETUP ${ARG_SETUP})
  elseif(ARG_CLEANUP)
    set(role FIXTURES_CLEANUP ${ARG_CLEANUP})
  else()
    message(FATAL_ERROR "weft_add_fixture_test(${name}): SETUP or CLEANUP is required")
  endif()
  add_test(NAME ${name} COMMAND ${ARG_COMMAND})
  set_tests_properties(${name} PROPERTIES ${role} LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT}
                       ${WEFT_TEST_ENVIRONMENT})
endfunction()

# weft_add_tests(<name> LABEL <unit|conformance|integration|interop|kafka>
#                SOURCES ... [DEPS ...] [TIMEOUT seconds] [EXTRA_LABELS ...]
#                [HAS_SLOW_TESTS] [FIXTURES_REQUIRED ...])
# One Catch2 executable per module; every TEST_CASE becomes a CTest test
# carrying the label, so `ctest -N -L unit` lists the behaviours.
# HAS_SLOW_TESTS: TEST_CASEs tagged [slow] (they wait seconds of real time) also
# get the label `slow`, so `ctest -LE slow` is a quick run. EXTRA_LABELS go on
# every test of the executable. FIXTURES_REQUIRED names CTest fixtures (a shared
# network started by a setup test) every test of the executable needs; tests of a
# fixture never run at once (they see one another's blocks and metrics), also
# across executables.
function(weft_add_tests name)
  cmake_parse_arguments(ARG "HAS_SLOW_TESTS" "LABEL;TIMEOUT"
    "SOURCES;DEPS;EXTRA_LABELS;FIXTURES_REQUIRED" ${ARGN})
  if(NOT ARG_LABEL)
    message(FATAL_ERROR "weft_add_tests(${name}): LABEL is required")
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${WEFT_WARNINGS})
  target_link_libraries(${name} PRIVATE weft_test_main ${ARG_DEPS})
  target_compile_definitions(${name} PRIVATE ${WEFT_TEST_DEFINITIONS})
  weft_use_pch(${name} weft_test_pch)
  set(properties TIMEOUT ${ARG_TIMEOUT} ${WEFT_TEST_ENVIRONMENT})
  set(spec "")
  if(ARG_HAS_SLOW_TESTS)
    set(spec "~[slow]")
    catch_discover_tests(${name}
      TEST_SPEC "[slow]" TEST_LIST ${name}_SLOW_TESTS
      TEST_PREFIX "${ARG_LABEL}:" PROPERTIES ${properties} DISCOVERY_TIMEOUT 30)
  endif()
  catch_discover_tests(${name}
    TEST_SPEC "${spec}" TEST_LIST ${name}_TESTS
    TEST_PREFIX "${ARG_LABEL}:" PROPERTIES ${properties} DISCOVERY_TIMEOUT 30)
  # Labels and fixtures are lists, which catch_discover_tests cannot pass through
  # its properties; they are set once the discovered test lists are known.
  set(labels ${ARG_LABEL} ${ARG_EXTRA_LABELS})
  set(list_file "${CMAKE_CURRENT_BINARY_DIR}/${name}_labels.cmake")
  file(WRITE "${list_file}"
    "foreach(test IN LISTS ${name}_TESTS)\n"
    "  set_tests_properties(\"\${test}\" PROPERTIES LABELS \"${labels}\")\n"
    "endforeach()\n"
    "foreach(test IN LISTS ${name}_SLOW_TESTS)\n"
    "  set_tests_properties(\"\${test}\" PROPERTIES LABELS \"${labels};slow\")\n"
    "endforeach()\n")
  if(ARG_FIXTURES_REQUIRED)
    file(APPEND "${list_file}"
      "foreach(test IN LISTS ${name}_TESTS ${name}_SLOW_TESTS)\n"
      "  set_tests_properties(\"\${test}\" PROPERTIES FIXTURES_REQUIRED \"${ARG_FIXTURES_REQUIRED}\"\n"
      "    RESOURCE_LOCK \"${ARG_FIXTURES_REQUIRED}\")\n"
      "endforeach()\n")
  endif()
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${list_file}")
endfunction()
