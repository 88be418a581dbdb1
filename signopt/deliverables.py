"""The one list of what the homework asks for: per question, its notebook, the files it
writes, its answer file and accuracy floor, and the sweeps it keeps. The report, the tests
and the notebook runner read it, so nothing here is typed twice."""
from dataclasses import dataclass, field

BASELINE = "sign_mnist_baseline.keras"   # the Q1 baseline, which q2..q4 start from
FLOAT_TFLITE = "sign_mnist.tflite"       # the float TFLite file that the other files are compared with
INT8_TFLITE = "sign_mnist_quant_int8.tflite"  # post-training full int8: QAT's control, and the answers' int8 reference

Q4_INT4_TFLITE = "sign_mnist_qkeras_int4.tflite"          # extra: Q4's model on TFLite Micro, 4-bit filters
SMALLEST_INT4_TFLITE = "sign_mnist_smallest_int4.tflite"  # extra: the fewest raw bytes TFLite Micro runs at >= 90%
RECOMPUTE_MINUTES = 20  # the project's target: one question's sweeps recomputed from scratch on 2 cores


@dataclass(frozen=True)
class Question:
    title: str
    notebook: str
    files: tuple[str, ...]               # every model file the notebook writes
    answer: str | None = None            # the file that answers a "smallest file" question
    floor: float | None = None           # the homework's test-accuracy floor for the answer
    sweeps: tuple[str, ...] = field(default=())
    extras: tuple[str, ...] = field(default=())  # files beyond the homework, shown as extras


QUESTIONS = {
    "Q1": Question("Baseline CNN and TensorFlow Lite conversions", "q1.ipynb",
                   (BASELINE, FLOAT_TFLITE, "sign_mnist_quant_dyn.tflite",
                    "sign_mnist_quant_int16x8.tflite", "sign_mnist_quant_aware_training.tflite", INT8_TFLITE),
                   sweeps=("q1_baseline", "q1_qat")),
    "Q2": Question("Weight clustering + quantization", "q2.ipynb", ("sign_mnist_clustered_quant.tflite",),
                   answer="sign_mnist_clustered_quant.tflite", floor=0.90,
                   sweeps=("q2_clustering", "q2_clustering_seeds", "q2_smaller_baseline")),
    "Q3": Question("Pruning + quantization", "q3.ipynb",
                   ("sign_mnist_pruned_quant.tflite", "sign_mnist_pruned_quant_sparse.tflite"),
                   answer="sign_mnist_pruned_quant.tflite", floor=0.90,
                   sweeps=("q3_pruning", "q3_pruning_seeds", "q3_smaller_baseline"),
                   extras=("sign_mnist_pruned_quant_sparse.tflite",)),
    "Q4": Question("QKeras: 4-bit weights and biases", "q4.ipynb",
                   ("sign_mnist_qkeras_4bit.h5", "sign_mnist_qkeras_4bit_act4.h5", Q4_INT4_TFLITE, SMALLEST_INT4_TFLITE),
                   answer="sign_mnist_qkeras_4bit.h5", floor=0.85,
                   sweeps=("q4_qkeras", "q4_bit_widths", "q4_int4_widths", "q4_int4_widths_seeds"),
                   extras=("sign_mnist_qkeras_4bit_act4.h5", Q4_INT4_TFLITE, SMALLEST_INT4_TFLITE)),
}
NOTEBOOKS = [q.notebook for q in QUESTIONS.values()]
BY_NOTEBOOK = {q.notebook: q for q in QUESTIONS.values()}  # the question each notebook answers
SMALLEST_FILE = tuple(key for key, q in QUESTIONS.items() if q.answer and q.answer.endswith(".tflite"))  # Q2, Q3

