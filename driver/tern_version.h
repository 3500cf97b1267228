/*
 * Which tern this is: the release version (VERSION in the Makefile), the source
 * revision it was built from (`git describe --always --dirty` at build time, "unknown"
 * outside a git checkout) and the SHA-256 of the ISA definition (isa/tern_isa.json)
 * its generated code came from. `tern --version` prints them and every report.json
 * carries them, so a number can be traced to the code and hardware description that
 * produced it.
 */
#ifndef TERN_VERSION_H
#define TERN_VERSION_H

const char *tern_version(void);          /* "0.4.0" */
const char *tern_version_git(void);      /* "v0.3.0-12-gabc1234-dirty", or "unknown" */
const char *tern_version_isa_hash(void); /* 64 hex digits */

#endif /* TERN_VERSION_H */
