# Helpers that keep every module's CMakeLists.txt a few lines long.

# Warnings for our own code only (generated protobuf code is compiled without them).
set(WEFT_WARNINGS -Wall -Wextra -Wpedantic -Wno-unused-parameter)
if(WEFT_WERROR)
  list(APPEND WEFT_WARNINGS -Werror)
endif()

# weft_add_module(<name> SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
# Defines the library target weft_<name> with the repository root as include path,
# so headers are included as "common/crypto/crypto.h".
function(weft_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target weft_${name})
  add_library(${target} STATIC ${ARG_SOURCES})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${target} PRIVATE ${WEFT_WARNINGS})
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# weft_add_executable(<name> SOURCES ... [DEPS ...]) -> build/bin/<name>
function(weft_add_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${WEFT_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()

# weft_add_test_helper(<name> SOURCES ... [DEPS ...]) -> build/tests/<name>: an
# executable that tests start as a separate process (crash writers, mock clusters);
# kept out of build/bin, which holds what users run.
function(weft_add_test_helper name)
  weft_add_executable(${name} ${ARGN})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
endfunction()

# weft_add_tests(<name> LABEL <unit|conformance|integration|interop|kafka>
#                SOURCES ... [DEPS ...] [TIMEOUT seconds])
# One Catch2 executable per module; every TEST_CASE becomes a CTest test
# carrying the label, so `ctest -N -L unit` lists the behaviours.
function(weft_add_tests name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;DEPS" ${ARGN})
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
  target_compile_definitions(${name} PRIVATE
    WEFT_SOURCE_DIR="${PROJECT_SOURCE_DIR}" WEFT_BINARY_DIR="${CMAKE_BINARY_DIR}")
  catch_discover_tests(${name}
    TEST_PREFIX "${ARG_LABEL}:"
    PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT}
    DISCOVERY_TIMEOUT 30)
endfunction()
