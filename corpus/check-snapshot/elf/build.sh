#!/bin/sh
# Rebuilds libv3.so.1.2: a small x86-64 shared library whose every dynamic entry `check` reads is
# set: DT_NEEDED (libm, libc), DT_SONAME, DT_RUNPATH with two entries, symbol version needs
# (GLIBC_2.2.5, GLIBC_2.14), a version definition (V3_1.0), and GNU_PROPERTY_X86_ISA_1_NEEDED
# x86-64-v3. Built with gcc 12.2 and binutils 2.40 (Debian 12); run from this directory.
set -eu
gcc -O2 -shared -fPIC -o libv3.so.1.2 v3.c -Wl,--no-as-needed -lm \
    -Wl,-soname,libv3.so.1 -Wl,-z,x86-64-v3 \
    -Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib:/opt/v3' \
    -Wl,--version-script=v3.map
