/*
 * ELF reader (System V gABI), 32- and 64-bit, either byte order, through
 * the bounded tl_reader: nothing is cast over the input.
 *
 *   ELF header       e_ident: "\x7fELF", class (1: 32, 2: 64), data (1: LE,
 *                    2: BE), version 1; e_type@16, e_machine@18;
 *                    32-bit: e_phoff@28 e_shoff@32 e_phentsize@42 e_phnum@44
 *                            e_shentsize@46 e_shnum@48
 *                    64-bit: e_phoff@32 e_shoff@40 e_phentsize@54 e_phnum@56
 *                            e_shentsize@58 e_shnum@60
 *   program header   32: type@0 offset@4 vaddr@8 filesz@16 align@28 (32 bytes)
 *                    64: type@0 offset@8 vaddr@16 filesz@32 align@48 (56 bytes)
 *                    PT_LOAD (1) maps vaddr to file offsets, PT_DYNAMIC (2),
 *                    PT_INTERP (3), PT_NOTE (4)
 *   section header   32: type@4 offset@16 size@20 (40 bytes)
 *                    64: type@4 offset@24 size@32 (64 bytes)
 *                    SHT_NOTE (7): notes when no PT_NOTE exists (.ko, .o)
 *   dynamic entry    32: tag s32, value u32; 64: tag s64, value u64;
 *                    DT_NULL (0) ends; DT_NEEDED (1) and DT_SONAME (14) are
 *                    offsets into the string table at DT_STRTAB (5, a
 *                    virtual address), DT_STRSZ (10) bytes long
 *   note             namesz u32, descsz u32, type u32, name, desc; each
 *                    aligned to the segment alignment (4, or 8) from its
 *                    start; a note that does not fit ends the segment
 *                    "GNU" type 3 (NT_GNU_BUILD_ID): build-id bytes
 *                    "FDO" type 0xcafe1a7e: package metadata JSON (the
 *                    systemd ELF package note, .note.package)
 *
 * Limits: TL__ELF_MAX_NEEDED NEEDED entries, strings up to 4096 bytes,
 * build-ids up to 64 bytes, package notes up to 64 KiB.  A file that is
 * cut short, or whose tables point outside it, is TL_EPARSE naming the
 * offset; tables that are merely absent are not errors.
 */
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_NOTE 4
#define SHT_NOTE 7
#define DT_NULL 0
#define DT_NEEDED 1
#define DT_STRTAB 5
#define DT_STRSZ 10
#define DT_SONAME 14
#define ELF_MAX_STR 4096
#define ELF_MAX_NOTE_PKG 65536

typedef struct {
	const uint8_t *p;
	size_t len;
	bool be, is64;
	const char *name;
} elf;

static tl_err bad(const elf *e, uint64_t off, const char *what)
{
	return tl__error(TL_EPARSE, "%s: offset %llu: %s", e->name ? e->name : "ELF",
	                 (unsigned long long)off, what);
}

/* Reads an n-byte (2, 4 or 8) unsigned integer at off in the file's byte order. */
static tl_err rd(const elf *e, uint64_t off, unsigned n, uint64_t *out)
{
	uint64_t v = 0;

	if (off > e->len || n > e->len - off)
		return bad(e, off, "truncated");
	for (unsigned i = 0; i < n; i++) {
		unsigned k = e->be ? i : n - 1 - i;
		v = (v << 8) | e->p[off + k];
	}
	*out = v;
	return TL_OK;
}

/* A word: 4 bytes in 32-bit files, 8 in 64-bit ones. */
static tl_err rdw(const elf *e, uint64_t off, uint64_t *out)
{
	return rd(e, off, e->is64 ? 8 : 4, out);
}

/* A NUL-terminated string at off, inside [lo, hi). */
static tl_err rdstr(const elf *e, uint64_t off, uint64_t lo, uint64_t hi, char **out)
{
	const uint8_t *s, *nul;
	size_t max;

	if (hi > e->len)
		hi = e->len;
	if (off < lo || off >= hi)
		return bad(e, off, "string outside its table");
	s = e->p + off;
	max = (size_t)(hi - off);
	if (max > ELF_MAX_STR)
		max = ELF_MAX_STR;
	if (!(nul = memchr(s, 0, max)))
		return bad(e, off, "unterminated or overlong string");
	if (!(*out = strndup((const char *)s, (size_t)(nul - s))))
		return tl__nomem();
	return TL_OK;
}

void tl__elf_info_free(tl__elf_info *e)
{
	if (!e)
		return;
	free(e->soname);
	for (size_t i = 0; i < e->n_needed; i++)
		free(e->needed[i]);
	free(e->needed);
	free(e->interp);
	free(e->build_id);
	free(e->package_note);
	free(e);
}

tl_err tl__elf_info_copy(tl__elf_info **out, const tl__elf_info *e)
{
	tl__elf_info *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return tl__nomem();
	c->cls = e->cls;
	c->data = e->data;
	c->type = e->type;
	c->machine = e->machine;
	if ((e->soname && !(c->soname = strdup(e->soname))) || (e->interp && !(c->interp = strdup(e->interp))) ||
	    (e->build_id && !(c->build_id = strdup(e->build_id))) ||
	    (e->package_note && !(c->package_note = strdup(e->package_note))) ||
	    (e->n_needed && !(c->needed = calloc(e->n_needed, sizeof(char *)))))
		goto nomem;
	for (size_t i = 0; i < e->n_needed; i++) {
		if (!(c->needed[i] = strdup(e->needed[i])))
			goto nomem;
		c->n_needed++;
	}
	*out = c;
	return TL_OK;
nomem:
	tl__elf_info_free(c);
	return tl__nomem();
}

typedef struct {
	uint64_t type, offset, vaddr, filesz, align;
} phdr;

static tl_err read_phdr(const elf *e, uint64_t off, phdr *ph)
{
	tl_err err;

	if ((err = rd(e, off, 4, &ph->type)) != TL_OK)
		return err;
	if (e->is64) {
		if ((err = rd(e, off + 8, 8, &ph->offset)) || (err = rd(e, off + 16, 8, &ph->vaddr)) ||
		    (err = rd(e, off + 32, 8, &ph->filesz)) || (err = rd(e, off + 48, 8, &ph->align)))
			return err;
	} else {
		if ((err = rd(e, off + 4, 4, &ph->offset)) || (err = rd(e, off + 8, 4, &ph->vaddr)) ||
		    (err = rd(e, off + 16, 4, &ph->filesz)) || (err = rd(e, off + 28, 4, &ph->align)))
			return err;
	}
	return TL_OK;
}

/* File offset of virtual address va, through the PT_LOAD segments. */
static bool va_to_off(const phdr *ph, size_t n, uint64_t va, uint64_t *off)
{
	for (size_t i = 0; i < n; i++) {
		if (ph[i].type != PT_LOAD || va < ph[i].vaddr || va - ph[i].vaddr >= ph[i].filesz)
			continue;
		*off = ph[i].offset + (va - ph[i].vaddr);
		return true;
	}
	return false;
}

static uint64_t pad(uint64_t n, uint64_t a)
{
	return (n + (a - 1)) & ~(a - 1);
}

/*
 * Notes in [off, off + size).  The descriptor and the next note start at
 * the segment's alignment (4, or 8 for .note.gnu.property) from its start.
 * A note that does not fit ends the reading of that segment: notes are
 * extras, a bad one does not make the file unreadable.
 */
static tl_err read_notes(const elf *e, tl__elf_info *info, uint64_t off, uint64_t size, uint64_t align)
{
	tl_err err = TL_OK;
	uint64_t base = off, end;

	if (off > e->len || size > e->len - off)
		return TL_OK;
	end = off + size;
	align = align == 8 ? 8 : 4;
	while (end - off >= 12) {
		uint64_t namesz, descsz, type, name_off, desc_off, next;
		if ((err = rd(e, off, 4, &namesz)) || (err = rd(e, off + 4, 4, &descsz)) || (err = rd(e, off + 8, 4, &type)))
			return err;
		name_off = off + 12;
		if (namesz > end - name_off)
			break;
		desc_off = base + pad(name_off + namesz - base, align);
		if (desc_off > end || descsz > end - desc_off)
			break;
		next = base + pad(desc_off + descsz - base, align);
		if (namesz == 4 && !memcmp(e->p + name_off, "GNU", 4) && type == 3 && descsz && descsz <= 64 &&
		    !info->build_id) {
			if (!(info->build_id = malloc((size_t)descsz * 2 + 1)))
				return tl__nomem();
			tl_hex(info->build_id, e->p + desc_off, (size_t)descsz);
		} else if (namesz == 4 && !memcmp(e->p + name_off, "FDO", 4) && type == 0xcafe1a7eu &&
		           descsz && descsz <= ELF_MAX_NOTE_PKG && !info->package_note) {
			const uint8_t *d = e->p + desc_off, *nul = memchr(d, 0, (size_t)descsz);
			if (!(info->package_note = strndup((const char *)d, nul ? (size_t)(nul - d) : (size_t)descsz)))
				return tl__nomem();
		}
		if (next >= end || next <= off)
			break;
		off = next;
	}
	return TL_OK;
}

tl_err tl__elf_parse(tl__elf_info **out, const uint8_t *data, size_t len, const char *name)
{
	tl_err err = TL_OK;
	tl__elf_info *info = NULL;
	elf e = { data, len, false, false, name };
	uint64_t v, phoff, shoff, phentsize, phnum, shentsize, shnum;
	phdr *ph = NULL;
	bool have_pt_note = false;

	*out = NULL;
	if (len < 16 || memcmp(data, "\x7f" "ELF", 4) != 0) {
		err = bad(&e, 0, "not an ELF file (no \\x7fELF magic)");
		goto done;
	}
	if ((data[4] != 1 && data[4] != 2) || (data[5] != 1 && data[5] != 2)) {
		err = bad(&e, 4, "bad class or data encoding");
		goto done;
	}
	e.is64 = data[4] == 2;
	e.be = data[5] == 2;
	if (!(info = calloc(1, sizeof(*info)))) {
		err = tl__nomem();
		goto done;
	}
	info->cls = data[4];
	info->data = data[5];
	if ((err = rd(&e, 16, 2, &v)) != TL_OK)
		goto done;
	info->type = (uint16_t)v;
	if ((err = rd(&e, 18, 2, &v)) != TL_OK)
		goto done;
	info->machine = (uint16_t)v;
	if (e.is64) {
		if ((err = rd(&e, 32, 8, &phoff)) || (err = rd(&e, 40, 8, &shoff)) || (err = rd(&e, 54, 2, &phentsize)) ||
		    (err = rd(&e, 56, 2, &phnum)) || (err = rd(&e, 58, 2, &shentsize)) || (err = rd(&e, 60, 2, &shnum)))
			goto done;
	} else {
		if ((err = rd(&e, 28, 4, &phoff)) || (err = rd(&e, 32, 4, &shoff)) || (err = rd(&e, 42, 2, &phentsize)) ||
		    (err = rd(&e, 44, 2, &phnum)) || (err = rd(&e, 46, 2, &shentsize)) || (err = rd(&e, 48, 2, &shnum)))
			goto done;
	}

	/* program headers */
	if (phnum && phoff) {
		uint64_t need = e.is64 ? 56 : 32;
		if (phentsize < need) {
			err = bad(&e, e.is64 ? 54 : 42, "program header entries too small");
			goto done;
		}
		if (phoff > len || phnum * phentsize > len - phoff) {
			err = bad(&e, phoff, "program headers past the end of the file");
			goto done;
		}
		if (!(ph = calloc((size_t)phnum, sizeof(*ph)))) {
			err = tl__nomem();
			goto done;
		}
		for (uint64_t i = 0; i < phnum; i++) {
			if ((err = read_phdr(&e, phoff + i * phentsize, &ph[i])) != TL_OK)
				goto done;
		}
		for (uint64_t i = 0; i < phnum; i++) {
			if (ph[i].type == PT_INTERP && !info->interp && ph[i].filesz) {
				if (ph[i].offset > len || ph[i].filesz > len - ph[i].offset) {
					err = bad(&e, ph[i].offset, "PT_INTERP past the end of the file");
					goto done;
				}
				if ((err = rdstr(&e, ph[i].offset, ph[i].offset, ph[i].offset + ph[i].filesz, &info->interp)) != TL_OK)
					goto done;
			} else if (ph[i].type == PT_NOTE) {
				have_pt_note = true;
				if ((err = read_notes(&e, info, ph[i].offset, ph[i].filesz, ph[i].align)) != TL_OK)
					goto done;
			}
		}
		for (uint64_t i = 0; i < phnum; i++) {
			uint64_t dsz = e.is64 ? 16 : 8, strtab = 0, strsz = 0, stroff = 0, off, end;
			bool have_strtab = false, have_strsz = false;
			uint64_t *needed_off = NULL, soname_off = 0;
			size_t n_needed = 0;
			bool have_soname = false;

			if (ph[i].type != PT_DYNAMIC)
				continue;
			if (ph[i].offset > len || ph[i].filesz > len - ph[i].offset) {
				err = bad(&e, ph[i].offset, "PT_DYNAMIC past the end of the file");
				goto done;
			}
			end = ph[i].offset + ph[i].filesz;
			/* first pass: the string table; second: the names */
			for (off = ph[i].offset; end - off >= dsz; off += dsz) {
				uint64_t tag, val;
				if ((err = rdw(&e, off, &tag)) || (err = rdw(&e, off + dsz / 2, &val)))
					goto done;
				if (tag == DT_NULL)
					break;
				if (tag == DT_STRTAB) {
					strtab = val;
					have_strtab = true;
				} else if (tag == DT_STRSZ) {
					strsz = val;
					have_strsz = true;
				}
			}
			if (!have_strtab)
				break;
			if (!va_to_off(ph, (size_t)phnum, strtab, &stroff)) {
				/* some tools write file offsets in DT_STRTAB for unmapped files */
				stroff = strtab;
			}
			if (!have_strsz || stroff > len || strsz > len - stroff)
				strsz = stroff <= len ? len - stroff : 0;
			for (off = ph[i].offset; end - off >= dsz; off += dsz) {
				uint64_t tag, val;
				if ((err = rdw(&e, off, &tag)) || (err = rdw(&e, off + dsz / 2, &val)))
					goto done;
				if (tag == DT_NULL)
					break;
				if (tag == DT_SONAME && !have_soname) {
					soname_off = val;
					have_soname = true;
				} else if (tag == DT_NEEDED) {
					uint64_t *slot;
					if (n_needed >= TL__ELF_MAX_NEEDED) {
						free(needed_off);
						err = tl__error(TL_ELIMIT, "%s: more than %d DT_NEEDED entries",
						                name ? name : "ELF", TL__ELF_MAX_NEEDED);
						goto done;
					}
					if ((err = tl__array_grow((void **)&needed_off, &n_needed, sizeof(uint64_t),
					                          (void **)&slot)) != TL_OK) {
						free(needed_off);
						goto done;
					}
					*slot = val;
				}
			}
			if (have_soname && soname_off < strsz &&
			    (err = rdstr(&e, stroff + soname_off, stroff, stroff + strsz, &info->soname)) != TL_OK) {
				free(needed_off);
				goto done;
			}
			for (size_t k = 0; k < n_needed; k++) {
				char **slot, *s = NULL;
				if (needed_off[k] >= strsz)
					continue;
				if ((err = rdstr(&e, stroff + needed_off[k], stroff, stroff + strsz, &s)) != TL_OK ||
				    (err = tl__array_grow((void **)&info->needed, &info->n_needed, sizeof(char *),
				                          (void **)&slot)) != TL_OK) {
					free(s);
					free(needed_off);
					goto done;
				}
				*slot = s;
			}
			free(needed_off);
			break;
		}
	}

	/* notes from sections when no segment holds them (relocatable files, .ko) */
	if (!have_pt_note && shnum && shoff) {
		uint64_t need = e.is64 ? 64 : 40;
		if (shentsize < need) {
			err = bad(&e, e.is64 ? 58 : 46, "section header entries too small");
			goto done;
		}
		if (shoff > len || shnum * shentsize > len - shoff) {
			err = bad(&e, shoff, "section headers past the end of the file");
			goto done;
		}
		for (uint64_t i = 0; i < shnum; i++) {
			uint64_t base = shoff + i * shentsize, type, off, size;
			if ((err = rd(&e, base + 4, 4, &type)) != TL_OK)
				goto done;
			if (type != SHT_NOTE)
				continue;
			if ((err = rdw(&e, base + (e.is64 ? 24 : 16), &off)) ||
			    (err = rdw(&e, base + (e.is64 ? 32 : 20), &size)) ||
			    (err = read_notes(&e, info, off, size, 4)) != TL_OK)
				goto done;
		}
	}
	*out = info;
	info = NULL;
done:
	free(ph);
	tl__elf_info_free(info);
	return err;
}

const char *tl__elf_machine_name(uint16_t machine)
{
	switch (machine) {
	case 2: return "sparc";
	case 3: return "i386";
	case 8: return "mips";
	case 20: return "ppc";
	case 21: return "ppc64";
	case 22: return "s390";
	case 40: return "arm";
	case 42: return "sh";
	case 43: return "sparc64";
	case 50: return "ia64";
	case 62: return "x86_64";
	case 94: return "xtensa";
	case 183: return "aarch64";
	case 243: return "riscv";
	case 258: return "loongarch";
	default: return NULL;
	}
}
