"""`steward column_examples`: writes the learned column model's examples
(steward/detection/column_examples.json) and their precomputed vectors
(column_examples.npz) from the labelled export sets named in
steward.detection.column_quality.LABELLED_SETS: each column's header, first distinct
values, expected category and the set and file it comes from (so that leave-one-set-out
can leave a set's columns out). Run it after a labelled set is added or corrected."""

import json

from django.core.management.base import BaseCommand

from steward.detection.column_model import (
    EXAMPLES_FILE,
    VALUES_SHOWN,
    VECTORS_FILE,
    shipped_examples,
    write_vectors,
)
from steward.detection.column_quality import LABELLED_SETS, examples_of


class Command(BaseCommand):
    help = "Writes the column categoriser's labelled examples and their vectors."

    def handle(self, *args, **options):
        examples = [
            {
                "header": example["header"],
                "values": list(dict.fromkeys(v.strip()[:30] for v in example["values"]))[
                    :VALUES_SHOWN
                ],
                "category": example["category"],
                "source": example["source"],
            }
            for example in examples_of(LABELLED_SETS)
        ]
        EXAMPLES_FILE.write_text(
            json.dumps(examples, ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
        )
        vectors = write_vectors(shipped_examples())
        self.stdout.write(
            f"{len(examples)} examples from {len(LABELLED_SETS)} sets -> {EXAMPLES_FILE.name}; "
            f"{vectors} vectors -> {VECTORS_FILE.name}"
        )
