# `cmake --install`: the client SDK and the chaincode SDK as static libraries with
# their headers (the generated proto headers included) and a CMake package, so
# that an application does find_package(Weft) and links Weft::client_sdk,
# Weft::chaincode_shim or Weft::chaincode_contract. Included at the end of the top
# CMakeLists.txt, when every target exists.
include(CMakePackageConfigHelpers)
include(GNUInstallDirs)

# The weft_* targets `target` links, directly or through other weft_* targets.
function(weft_collect_deps target out_var)
  set(seen ${${out_var}})
  if(target IN_LIST seen)
    return()
  endif()
  list(APPEND seen ${target})
  get_target_property(links ${target} LINK_LIBRARIES)
  get_target_property(interface_links ${target} INTERFACE_LINK_LIBRARIES)
  foreach(link IN LISTS links interface_links)
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" link "${link}")
    if(link MATCHES "^weft_" AND TARGET ${link})
      weft_collect_deps(${link} seen)
    endif()
  endforeach()
  set(${out_var} ${seen} PARENT_SCOPE)
endfunction()

# What applications link, under Weft::<name without weft_>; the chaincode modules
# get the shorter names the package documents.
set(weft_installed_roots weft_client_sdk weft_chaincode_sdk_shim weft_chaincode_sdk_contract)
set(weft_installed_targets "")
foreach(root IN LISTS weft_installed_roots)
  weft_collect_deps(${root} weft_installed_targets)
endforeach()
foreach(target IN LISTS weft_installed_targets)
  string(REGEX REPLACE "^weft_" "" export_name ${target})
  string(REPLACE "chaincode_sdk_" "chaincode_" export_name ${export_name})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
  # Headers are found under include/ once installed ("client-sdk/gateway.h",
  # "peer/proposal.pb.h" as in the tree).
  target_include_directories(${target} INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  if(WEFT_SANITIZE)
    # Instrumented archives need the sanitizer runtime in whatever links them.
    target_link_options(${target} INTERFACE $<INSTALL_INTERFACE:-fsanitize=${WEFT_SANITIZE}>)
  endif()
endforeach()

install(TARGETS ${weft_installed_targets} EXPORT WeftTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT WeftTargets NAMESPACE Weft:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Weft)

# The headers of the installed modules, by their source directories.
set(weft_header_dirs "")
foreach(target IN LISTS weft_installed_targets)
  if(NOT target STREQUAL "weft_proto")
    get_target_property(dir ${target} SOURCE_DIR)
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${dir})
    list(APPEND weft_header_dirs ${rel})
  endif()
endforeach()
list(REMOVE_DUPLICATES weft_header_dirs)
foreach(rel IN LISTS weft_header_dirs)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${rel}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/${rel}
          FILES_MATCHING PATTERN "*.h"
          PATTERN "impl" EXCLUDE PATTERN "samples" EXCLUDE)
endforeach()
# The generated proto headers (proto/CMakeLists.txt's weft_proto_out).
get_target_property(weft_proto_build_dir weft_proto BINARY_DIR)
install(DIRECTORY ${weft_proto_build_dir}/gen/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/WeftConfig.cmake.in
  ${CMAKE_BINARY_DIR}/WeftConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Weft)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/WeftConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/WeftConfig.cmake ${CMAKE_BINARY_DIR}/WeftConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Weft)
