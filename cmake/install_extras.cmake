# cmake/install_extras.cmake: the install-time part of cmake/install.cmake
# (run by `cmake --install`, so CMAKE_INSTALL_PREFIX is the prefix actually
# given).  Writes actjit.pc from actjit.pc.in and the Python package's
# symlink to the library.  Expects AJ_VERSION, AJ_LIBDIR, AJ_INCLUDEDIR,
# AJ_PYDIR (relative: under the prefix), AJ_SONAME and AJ_PC_IN.

# aj_full(VAR DIR): DIR under the prefix unless it is absolute.
function(aj_full var dir)
  if(IS_ABSOLUTE "${dir}")
    set(${var} "${dir}" PARENT_SCOPE)
  else()
    set(${var} "${CMAKE_INSTALL_PREFIX}/${dir}" PARENT_SCOPE)
  endif()
endfunction()

# aj_installed(FILE): reports FILE (DESTDIR-less, as the manifest has it).
function(aj_installed file)
  message(STATUS "Installing: $ENV{DESTDIR}${file}")
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${file}")
  set(CMAKE_INSTALL_MANIFEST_FILES "${CMAKE_INSTALL_MANIFEST_FILES}"
      PARENT_SCOPE)
endfunction()

aj_full(aj_libdir "${AJ_LIBDIR}")
aj_full(aj_pydir "${AJ_PYDIR}")

# actjit.pc: ${prefix}-relative where the directories are.
set(prefix "${CMAKE_INSTALL_PREFIX}")
foreach(d LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${AJ_${d}}")
    set(AJ_PC_${d} "${AJ_${d}}")
  else()
    set(AJ_PC_${d} "\${prefix}/${AJ_${d}}")
  endif()
endforeach()
configure_file("${AJ_PC_IN}" "$ENV{DESTDIR}${aj_libdir}/pkgconfig/actjit.pc"
               @ONLY)
aj_installed("${aj_libdir}/pkgconfig/actjit.pc")

# actjit/libactjit.so -> the library's SONAME link, relative so that the
# prefix can move (and DESTDIR staging works).
file(RELATIVE_PATH aj_target "${aj_pydir}" "${aj_libdir}/${AJ_SONAME}")
file(MAKE_DIRECTORY "$ENV{DESTDIR}${aj_pydir}")
file(CREATE_LINK "${aj_target}" "$ENV{DESTDIR}${aj_pydir}/libactjit.so"
     SYMBOLIC)
aj_installed("${aj_pydir}/libactjit.so")
