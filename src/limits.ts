/**
 * What the compiler accepts at most. Sources, inventories and `use`d files are untrusted
 * input: past these limits the compiler reports a clear error instead of running out of
 * memory, time or stack. Each limit is far above anything a real cloud needs (the largest
 * clouds have tens of thousands of hosts; the standard library is some 40 KB).
 */

/** Hosts in one program: from host ranges in .upg files, and in the inventory. */
export const MAX_HOSTS = 1_000_000;

/**
 * Bytes of one .upg file. The parser holds a file's whole syntax tree at once, some 200
 * bytes per byte of source (a 4 MB file took 0.9 GB): 2 MiB is some 50,000 declarations.
 */
export const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

/** Bytes of all .upg files of one program together. */
export const MAX_PROGRAM_BYTES = 8 * 1024 * 1024;

/** Bytes of one inventory or vars file (a million hosts with a few vars each fit). */
export const MAX_INVENTORY_BYTES = 128 * 1024 * 1024;

/** Blocks inside blocks in a .upg file (`service { rolling { ... } }` is 2). */
export const MAX_NESTING = 32;

/** Characters of a name (a DNS name has at most 253). */
export const MAX_NAME_LENGTH = 255;

/** Characters of one string literal (an inline shell script fits). */
export const MAX_STRING_LENGTH = 64 * 1024;

/** Diagnostics rendered as text; the rest are counted ("and 12 more errors"). */
export const MAX_DIAGNOSTICS_SHOWN = 100;

/** Labels (and notes) shown with one diagnostic: a cycle through 200,000 services has as many. */
export const MAX_LABELS_SHOWN = 20;

/** Characters of a source line shown in a diagnostic; a longer line is cut around the span. */
export const MAX_SHOWN_LINE = 160;
