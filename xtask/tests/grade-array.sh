#!/bin/bash
# Grades a class in 8 shards, one Slurm array task each: sbatch grade-array.sh
#SBATCH --job-name=kindling-grade
#SBATCH --array=1-8
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=02:00:00
set -euo pipefail
cd "$HOME/kindling"   # the course repository, built once beforehand
SEED=271828           # one seed for every shard
cargo xtask grade stage5 submissions/ --out "grades/shard-$SLURM_ARRAY_TASK_ID" \
    --shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" \
    --seed "$SEED" --rubric rubric.toml --jobs "$SLURM_CPUS_PER_TASK"
# When every task is done (a job submitted with --dependency=afterok:<this job's id>):
#   cargo xtask grade --merge grades/shard-* --out grades/stage05
