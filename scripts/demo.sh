#!/usr/bin/env bash
# The main job on the data that ships in data/demo: train, evaluate, predict, motifs.
# data/demo/train.fa and new.fa were made by `seqconv simulate` (commands in data/demo/*.json):
# 200 bp sequences carrying CTCF, REST, TP53 and NRF1 (JASPAR label Nrf1) sites (JASPAR 2024),
# 1-2 per sequence, 30 % without any; multi-label headers.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/demo}

# --force: running the demo again replaces its own earlier run (seqconv never replaces a run unasked)
echo "== train: seqconv train --fasta data/demo/train.fa --out $out --force"
seqconv train --fasta data/demo/train.fa --out "$out" --force

echo "== evaluate on held-out sequences: data/demo/new.fa"
seqconv evaluate --run "$out" --fasta data/demo/new.fa --bootstrap 200

echo "== predict: data/demo/new.fa -> $out-predictions.tsv"
seqconv predict --run "$out" --fasta data/demo/new.fa --out "$out-predictions.tsv"

echo "== motifs: first-layer filters named against JASPAR 2024 (the first run on a machine compiles memelite: ~95 s on 2 cores)"
seqconv motifs --run "$out" --fasta data/demo/train.fa --out "$out/motifs"

echo "== motifs from attributions: seqlets per target, clustered into patterns, named against JASPAR"
seqconv motifs --run "$out" --fasta data/demo/train.fa --method seqlets --out "$out/seqlets"

cat <<TXT

Results in $out/:
  config.json, model.safetensors   the trained model (load with seqconv.load("$out"))
  metrics.json, evaluation.json    test-split and held-out metrics
  learning_curves.png, roc_pr.png  plots
  motifs/report.html               learned filters beside their JASPAR matches
  seqlets/report.html              motifs from attributions (PFM and CWM) per target
and $out-predictions.tsv: predictions for data/demo/new.fa
TXT
