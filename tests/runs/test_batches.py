import numpy as np
import torch

import seqconv
from seqconv.core.stores import Augment, CodesTensor, batch_indices
from seqconv.dna.encode import PAD


def test_encode_matches_one_hot(device):
    codes = seqconv.encode_dna(["ACGTNRYA", "TTTTGGGA"])
    store = CodesTensor(codes, device)
    batch = store.gather(torch.tensor([1, 0]))
    assert torch.equal(store.encode(batch).cpu(), seqconv.one_hot(codes[[1, 0]]))


def test_augmentation_only_reverse_complements_and_shifts(device):
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, (64, 30)).astype(np.uint8)
    store = CodesTensor(codes, device, Augment(reverse_complement=True, max_shift=3))
    generator = torch.Generator(device=device).manual_seed(0)
    out = store.augment(store.gather(torch.arange(64)), generator).cpu().numpy()
    flipped = 0
    for original, augmented in zip(codes, out, strict=True):
        rc = seqconv.reverse_complement(original)
        matches = []
        for candidate in (original, rc):
            for shift in range(-3, 4):
                expected = np.full(30, PAD, np.uint8)
                if shift >= 0:
                    expected[shift:] = candidate[: 30 - shift]
                else:
                    expected[:shift] = candidate[-shift:]
                matches.append(np.array_equal(expected, augmented))
        assert any(matches)
        flipped += not any(matches[:7])
    assert 10 < flipped < 54  # about half reverse-complemented


def test_no_augmentation_is_identity():
    codes = np.random.default_rng(1).integers(0, 4, (8, 12)).astype(np.uint8)
    store = CodesTensor(codes, "cpu")
    assert np.array_equal(store.augment(store.gather(torch.arange(8)), None).numpy(), codes)


def test_batch_indices_cover_everything_once():
    index = np.arange(10, 47)
    batches = list(
        batch_indices(index, 8, shuffle=True, generator=torch.Generator().manual_seed(0))
    )
    assert [len(b) for b in batches] == [8, 8, 8, 8, 5]
    assert sorted(torch.cat(batches).tolist()) == index.tolist()
    assert [len(b) for b in batch_indices(index, 8, shuffle=False, drop_last=True)] == [8] * 4
