"""``python -m seqconv.motifs.warm``: compile memelite's Tomtom once per machine (numba cache)."""

from seqconv.motifs.cache import configure_numba_cache, warm_tomtom

if __name__ == "__main__":
    seconds = warm_tomtom()
    print(f"memelite Tomtom ready in {seconds:.1f} s (numba cache: {configure_numba_cache()})")
