# cmake/install.cmake: what `cmake --install` puts under the prefix (included
# by the root CMakeLists.txt once the targets exist).  The library with its
# SONAME links, include/actjit.h, the command, actjit.pc, the CMake package
# (actjit::actjit) and the Python package.  The library links LLVM, MPFR and
# pthreads privately, so none of them reaches a consumer's link line; the
# only usage requirement exported is the include directory.
include(CMakePackageConfigHelpers)

# Debian's /usr/bin/python3 reads <prefix>/lib/python3.X/dist-packages for
# both /usr and /usr/local (lib/python3/dist-packages only for /usr), so the
# default follows its version.  Relative: under the prefix.
set(aj_pydir lib/python3/dist-packages)
if(EXISTS /usr/bin/python3)
  execute_process(COMMAND /usr/bin/python3 -c
    "import sys; print('%d.%d' % sys.version_info[:2])"
    OUTPUT_VARIABLE aj_pyver OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE aj_pyrc ERROR_QUIET)
  if(aj_pyrc EQUAL 0 AND aj_pyver MATCHES "^3\\.[0-9]+$")
    set(aj_pydir lib/python${aj_pyver}/dist-packages)
  endif()
endif()
set(ACTJIT_PYTHON_INSTALL_DIR ${aj_pydir} CACHE STRING
    "Where the Python package actjit goes (relative: under the prefix)")
set(ACTJIT_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/actjit)

# The library and the command.  The command finds the library next to it
# ($ORIGIN/../lib), so a fresh prefix works before ldconfig runs.
install(TARGETS actjit EXPORT actjitTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
file(RELATIVE_PATH aj_bin_to_lib ${CMAKE_INSTALL_FULL_BINDIR}
     ${CMAKE_INSTALL_FULL_LIBDIR})
set_target_properties(actjit_cli PROPERTIES
  INSTALL_RPATH "$ORIGIN/${aj_bin_to_lib}")
install(TARGETS actjit_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/include/actjit.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# find_package(actjit CONFIG) + target_link_libraries(app actjit::actjit).
install(EXPORT actjitTargets NAMESPACE actjit::
  DESTINATION ${ACTJIT_CMAKE_INSTALL_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/actjitConfig.cmake.in
  ${CMAKE_BINARY_DIR}/actjitConfig.cmake
  INSTALL_DESTINATION ${ACTJIT_CMAKE_INSTALL_DIR})
# Same major version, as the SONAME (libactjit.so.0).
write_basic_package_version_file(${CMAKE_BINARY_DIR}/actjitConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/actjitConfig.cmake
  ${CMAKE_BINARY_DIR}/actjitConfigVersion.cmake
  DESTINATION ${ACTJIT_CMAKE_INSTALL_DIR})

# The Python package, the .py files as they are.
file(GLOB aj_py_files CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/python/actjit/*.py)
install(FILES ${aj_py_files} DESTINATION ${ACTJIT_PYTHON_INSTALL_DIR}/actjit)

# Written at install time, for the prefix given to `cmake --install`
# (--prefix, DESTDIR): actjit.pc, and actjit/libactjit.so, a relative
# symlink to the installed library, which python/actjit/_lib.py loads first.
install(CODE "
  set(AJ_VERSION \"${PROJECT_VERSION}\")
  set(AJ_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(AJ_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(AJ_PYDIR \"${ACTJIT_PYTHON_INSTALL_DIR}/actjit\")
  set(AJ_SONAME \"$<TARGET_SONAME_FILE_NAME:actjit>\")
  set(AJ_PC_IN \"${CMAKE_CURRENT_LIST_DIR}/actjit.pc.in\")
  include(\"${CMAKE_CURRENT_LIST_DIR}/install_extras.cmake\")")
