"""``autograd-lite train``: train one of the course's models on a data set.

    autograd-lite train --data flower                      # 4 tanh units, as in the course
    autograd-lite train --data digits --digit 3 --layers 20,7,5 --optimizer adam
    autograd-lite train --data breast_cancer --model logistic --save model.npz --plot cost.png
    autograd-lite train --data digits --layers 20,7,5 --blocks blocks.png   # the course's figure

Prints the model's dimension table, shows a progress bar with the cost, then the
train and test accuracy; optionally saves the model (.npz), the cost curve and the
course's building-blocks figure of the model (forward and backward blocks per layer,
with the shapes of the training set).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd_lite import data, nn, optim
from autograd_lite.commands import UserError
from autograd_lite.commands.check import HIDDEN_ACTIVATIONS, check_seed, parse_layers
from autograd_lite.commands.memory import check_fits_in_memory, training_bytes
from autograd_lite.commands.paths import check_output_file, make_folders_for

DATASETS = ("flower", "xor", "parity", "digits", "breast_cancer")
MODELS = ("logistic", "shallow", "deep")
OPTIMIZERS = {"sgd": optim.SGD, "momentum": optim.Momentum, "adam": optim.Adam}


@dataclass(frozen=True)
class Defaults:
    model: str
    lr: float
    epochs: int
    batch_size: int | None = None
    optimizer: str = "sgd"
    hidden_sizes: tuple[int, ...] | None = None  # None: DEFAULT_LAYERS of the model


#: What works well for each data set when the options are left out.
DEFAULTS = {
    "flower": Defaults("shallow", lr=1.2, epochs=10000),
    "xor": Defaults("shallow", lr=1.0, epochs=2000),
    "parity": Defaults("shallow", lr=1.0, epochs=5000, hidden_sizes=(8,)),
    "digits": Defaults("deep", lr=0.01, epochs=30, batch_size=64, optimizer="adam"),
    "breast_cancer": Defaults("logistic", lr=0.5, epochs=1000),
}
#: The learning rate used with Adam when --lr is left out (its steps are scaled already).
ADAM_LR = 0.01
#: Gradient descent's learning rate for a model other than the data set's own (--model):
#: a deep ReLU network with He initialization diverges or stalls with the shallow tanh
#: network's 1.2 (57.5% on the flower, against 83.75% with 0.1).
MODEL_LR = {"logistic": 0.5, "shallow": 1.0, "deep": 0.1}
DEFAULT_LAYERS = {"shallow": [4], "deep": [20, 7, 5]}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", choices=DATASETS, default="flower",
                        help="data set (default flower, the course's planar data)")
    parser.add_argument("--model", choices=MODELS, default=None,
                        help="logistic regression, a shallow network (one hidden layer) or a "
                             "deep network (default: by data set)")
    parser.add_argument("--layers", default=None, metavar="N1,N2,...",
                        help="hidden layer sizes, e.g. 4 (shallow) or 20,7,5 (deep)")
    parser.add_argument("--activation", choices=HIDDEN_ACTIVATIONS, default=None,
                        help="hidden activation (default tanh for shallow, relu for deep)")
    parser.add_argument("--init", choices=nn.INITS, default=None,
                        help="weight initialization (default he for relu, xavier otherwise)")
    parser.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default=None,
                        help="sgd (gradient descent), momentum or adam")
    parser.add_argument("--lr", type=float, default=None, help="learning rate alpha")
    parser.add_argument("--epochs", type=int, default=None, help="passes over the training set")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="mini-batch size (default: full batch, except digits: 64)")
    parser.add_argument("--seed", type=int, default=1,
                        help="seed of the data, the initialization and the batches (default 1)")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                        help="floating type of the parameters and the data (default float64)")
    parser.add_argument("--test-size", type=float, default=0.2,
                        help="fraction of the examples held out for testing (default 0.2)")
    parser.add_argument("--examples", "-m", type=int, default=None, metavar="M",
                        help="number of examples of the synthetic sets flower (400) and xor (200)")
    parser.add_argument("--digit", type=int, default=None,
                        help="digits: the positive class of a one-vs-rest task; without it the "
                             "network tells the 10 digits apart (softmax)")
    parser.add_argument("--bits", type=int, default=4,
                        help="parity: number of bits (all 2^bits patterns; default 4)")
    parser.add_argument("--save", metavar="PATH.npz", default=None,
                        help="save the trained model to this .npz file")
    parser.add_argument("--plot", metavar="PATH", default=None,
                        help="save the cost curve (.png, .svg, .pdf; needs matplotlib)")
    parser.add_argument("--blocks", metavar="PATH", default=None,
                        help="draw the model's building blocks, forward and backward per layer, "
                             "with the training set's shapes (.svg, .png, .pdf, .dot)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


# --------------------------------------------------------------------------- data


#: Examples of each data set when --examples is left out (parity: 2**bits, all patterns).
DATA_EXAMPLES = {"flower": 400, "xor": 200, "digits": 1797, "breast_cancer": 569}
#: Features n_x of each data set (parity: --bits).
DATA_FEATURES = {"flower": 2, "xor": 2, "digits": 64, "breast_cancer": 30}


def data_shape(args: argparse.Namespace) -> tuple[int, int, int]:
    """(n_x, m, number of classes) of the chosen data, from the options alone (nothing is
    loaded); a UserError for bad data options."""
    if not 0 < args.test_size < 1:
        raise UserError(f"--test-size must be a fraction between 0 and 1; got {args.test_size}")
    if args.digit is not None and args.data != "digits":
        raise UserError("--digit applies to --data digits only")
    if args.examples is not None and args.data not in ("flower", "xor"):
        raise UserError("--examples applies to --data flower and xor only")
    if args.data == "flower" and args.examples is not None and (
        args.examples < 2 or args.examples % 2
    ):
        raise UserError(f"--examples must be an even number >= 2 for flower; got {args.examples}")
    if args.data == "xor" and args.examples is not None and args.examples < 4:
        raise UserError(f"--examples must be at least 4 for xor; got {args.examples}")
    if args.data == "parity":
        if not 1 <= args.bits <= 16:
            raise UserError(f"--bits must be between 1 and 16; got {args.bits}")
        return args.bits, 2**args.bits, 2
    if args.data == "digits" and args.digit is not None and not 0 <= args.digit <= 9:
        raise UserError(f"--digit must be 0..9; got {args.digit}")
    m = DATA_EXAMPLES[args.data] if args.examples is None else args.examples
    n_classes = 10 if args.data == "digits" and args.digit is None else 2
    return DATA_FEATURES[args.data], m, n_classes


def load_data(args: argparse.Namespace) -> tuple[Any, ...]:
    """(X_train, Y_train, X_test, Y_test, description); a UserError for bad options."""
    _, m, _ = data_shape(args)
    try:
        if args.data == "flower":
            X, Y = data.planar_flower(m=m, seed=args.seed)
            split = data.train_test_split(X, Y, test_size=args.test_size, seed=args.seed)
            return (*split, "planar flower (the course's data set)")
        if args.data == "xor":
            X, Y = data.xor(m=m, seed=args.seed)
            split = data.train_test_split(X, Y, test_size=args.test_size, seed=args.seed)
            return (*split, "noisy XOR")
        if args.data == "parity":
            X, Y = data.parity(args.bits)
            # Every pattern is needed to learn parity: the test set is the training set.
            return X, Y, X, Y, f"{args.bits}-bit parity (all patterns; tested on the same)"
        if args.data == "digits":
            split = data.digits(positive=args.digit, test_size=args.test_size, seed=args.seed)
            task = "10 classes" if args.digit is None else f"is it a {args.digit}?"
            return (*split, f"handwritten digits 8x8 ({task})")
        split = data.breast_cancer(test_size=args.test_size, seed=args.seed)
        return (*split, "breast cancer (Wisconsin), standardized")
    except ImportError as err:
        raise UserError(str(err)) from None
    except (ValueError, TypeError) as err:
        raise UserError(str(err)) from None


# --------------------------------------------------------------------------- model


def hidden_layers(args: argparse.Namespace) -> tuple[str, list[int]]:
    """The kind of model and its hidden layer sizes; a UserError for options that clash."""
    model_kind = args.model or DEFAULTS[args.data].model
    if model_kind == "logistic":
        if args.layers is not None:
            raise UserError("--layers does not apply to --model logistic (it has no hidden layer)")
        if args.activation is not None:
            raise UserError("--activation does not apply to --model logistic")
        hidden_sizes: list[int] = []
    elif args.layers is not None:
        hidden_sizes = parse_layers(args.layers)
        if model_kind == "shallow" and len(hidden_sizes) != 1:
            raise UserError(
                f"--model shallow has one hidden layer: give one size, e.g. --layers 4; got "
                f"{args.layers!r} (use --model deep for several)"
            )
    else:
        data_default = DEFAULTS[args.data]
        if model_kind == data_default.model and data_default.hidden_sizes is not None:
            hidden_sizes = list(data_default.hidden_sizes)
        else:
            hidden_sizes = DEFAULT_LAYERS[model_kind]
    return model_kind, hidden_sizes


def output_units(n_classes: int) -> int:
    """One sigmoid unit for two classes, else one logit per class (softmax)."""
    return 1 if n_classes <= 2 else n_classes


def check_memory(args: argparse.Namespace, optimizer_name: str) -> None:
    """Refuse, before anything is allocated, a model or a data set too large for memory."""
    n_x, m, n_classes = data_shape(args)
    _, hidden_sizes = hidden_layers(args)
    dims = [n_x, *hidden_sizes, output_units(n_classes)]
    needed = training_bytes(dims, m, optimizer_name)
    examples_bytes = training_bytes([n_x, output_units(n_classes)], m, optimizer_name)
    advice = (
        "use fewer --examples" if examples_bytes * 2 > needed else "use smaller --layers"
    )
    check_fits_in_memory(needed, f"training the network {dims} on {m:,} examples", advice)


def build_model(args: argparse.Namespace, n_x: int, n_classes: int) -> tuple[nn.MLP, str, Any]:
    """The MLP, a description, and its cost function."""
    model_kind, hidden_sizes = hidden_layers(args)
    hidden = args.activation or ("tanh" if model_kind == "shallow" else "relu")
    init = args.init or ("he" if hidden in ("relu", "leaky_relu") else "xavier")
    n_out = output_units(n_classes)
    # Several classes: logits Z^[L] and the softmax cross-entropy; else one sigmoid unit.
    output = "sigmoid" if n_out == 1 else None
    loss = nn.binary_cross_entropy if n_out == 1 else nn.cross_entropy
    model = nn.MLP([n_x, *hidden_sizes, n_out], hidden=hidden, output=output, init=init,
                   seed=args.seed, dtype=args.dtype)
    names = {"logistic": "logistic regression", "shallow": "shallow network",
             "deep": f"deep network (L = {len(hidden_sizes) + 1})"}
    description = names[model_kind]
    if hidden_sizes:
        description += f", hidden {hidden}, init {init}"
    if n_out > 1:
        description += f", softmax over {n_out} classes"
    return model, description, loss


# --------------------------------------------------------------------------- output files


def check_plot_path(path: str) -> None:
    """Fail before training when the cost curve could not be written."""
    try:  # an import, not find_spec: a package that is found may still fail to import
        from matplotlib.figure import Figure
    except ImportError:
        raise UserError(
            '--plot needs matplotlib, which is not installed: pip install "autograd-lite[plots]"'
        ) from None

    suffix = os.path.splitext(path)[1].lstrip(".").lower()
    supported = Figure().canvas.get_supported_filetypes()
    if suffix not in supported:
        raise UserError(
            f"--plot {path!r}: unknown picture format {suffix or '(no suffix)'!r}; use one of "
            + ", ".join("." + s for s in sorted(supported))
        )
    check_output_file(path, "--plot")


def check_blocks_path(path: str) -> None:
    """Fail before training when the building-blocks picture could not be written."""
    from visualize.dot_program import dot_available, missing_dot_message
    from visualize.render import format_of

    try:
        fmt = format_of(path)
    except ValueError as err:
        raise UserError(f"--blocks {path!r}: {str(err).removeprefix('render: ')}") from None
    if fmt not in ("dot", "gv") and not dot_available():
        raise UserError(missing_dot_message(f"--blocks {path!r}"))
    check_output_file(path, "--blocks")


def draw_blocks(model: nn.Module, m: int, path: str, title: str) -> None:
    import visualize

    try:
        visualize.render(visualize.draw_building_blocks(model, m, title=title), path)
    except OSError as err:
        raise UserError(f"--blocks {path!r}: {err.strerror or err}") from None


def plot_costs(costs: list[float], path: str, title: str) -> None:
    from visualize.plots import plot_costs as draw_cost_curve

    try:
        draw_cost_curve(costs, path, title=title)
    except OSError as err:
        raise UserError(f"--plot {path!r}: {err.strerror or err}") from None


# --------------------------------------------------------------------------- run


def default_lr(data_name: str, model_kind: str, optimizer_name: str) -> float:
    """The learning rate when --lr is left out: the data set's own for its own model and
    optimizer, else Adam's ADAM_LR or the model's MODEL_LR."""
    defaults = DEFAULTS[data_name]
    if model_kind == defaults.model and optimizer_name == defaults.optimizer:
        return defaults.lr
    if optimizer_name == "adam":
        return ADAM_LR
    if model_kind == defaults.model:
        return defaults.lr
    return MODEL_LR[model_kind]


def cost_went_up(costs: list[float], lr: float, suggestion: float) -> str | None:
    """A one-line warning when the last epoch's cost is above the first's: gradient
    descent overshoots, the learning rate is too large."""
    if len(costs) < 2 or not costs[-1] > costs[0]:
        return None
    return (f"the cost went up from {costs[0]:.3g} to {costs[-1]:.3g}: the learning rate "
            f"{lr:g} is too large; try {suggestion:g}")


def run(args: argparse.Namespace) -> int:
    defaults = DEFAULTS[args.data]
    optimizer_name = args.optimizer or defaults.optimizer
    model_kind = args.model or defaults.model
    lr_default = default_lr(args.data, model_kind, optimizer_name)
    lr = args.lr
    if lr is None:
        lr = lr_default
    epochs = defaults.epochs if args.epochs is None else args.epochs
    batch_size = args.batch_size if args.batch_size is not None else defaults.batch_size
    check_seed(args.seed)
    if not lr > 0 or not np.isfinite(lr):
        raise UserError(f"--lr must be a positive number; got {lr}")
    if epochs < 1:
        raise UserError(f"--epochs must be at least 1; got {epochs}")
    if batch_size is not None and batch_size < 1:
        raise UserError(f"--batch-size must be at least 1; got {batch_size}")
    # Every option, output path and the memory needed are checked before any work.
    check_memory(args, optimizer_name)
    if args.plot:
        check_plot_path(args.plot)
    if args.save:
        check_output_file(args.save, "--save")
    if args.blocks:
        check_blocks_path(args.blocks)

    X_train, Y_train, X_test, Y_test, description = load_data(args)
    _, _, n_classes = data_shape(args)
    model, model_description, loss = build_model(args, X_train.shape[0], n_classes)
    X_train = X_train.astype(args.dtype)
    X_test = X_test.astype(args.dtype)
    optimizer = OPTIMIZERS[optimizer_name](model.parameters(), lr=lr)

    batches = "full batch" if batch_size is None else f"mini-batches of {batch_size}"
    print(f"data: {description}: X_train {X_train.shape}, X_test {X_test.shape}")
    print(f"model: {model_description}")
    model.summary(X_train.shape[1])
    print(f"training: {optimizer_name}, lr {lr:g}, {epochs} epochs, {batches}, seed {args.seed}")
    try:
        costs = nn.fit(model, X_train, Y_train, loss, optimizer, epochs, batch_size=batch_size,
                       progress=not args.no_progress, seed=args.seed)
    except FloatingPointError as err:
        raise UserError(f"{err}: try a smaller --lr (now {lr:g})") from None
    print(f"cost: {costs[0]:.6g} (epoch 1) -> {costs[-1]:.6g} (epoch {len(costs)})")
    warning = cost_went_up(costs, lr, lr_default if lr_default < lr else lr / 10)
    if warning:
        print(f"warning: {warning}")
    train_accuracy = data.accuracy(model.predict(X_train), Y_train)
    test_accuracy = data.accuracy(model.predict(X_test), Y_test)
    print(f"train accuracy: {100 * train_accuracy:.2f}%")
    print(f"test accuracy:  {100 * test_accuracy:.2f}%")
    if args.save:
        make_folders_for(args.save, "--save")
        try:
            model.save(args.save)
        except OSError as err:
            raise UserError(f"--save {args.save!r}: {err.strerror or err}") from None
        print(f"saved the model to {args.save} (load it with autograd_lite.nn.load_model)")
    if args.plot:
        plot_costs(costs, args.plot, f"{description}: {model_description}")
        print(f"saved the cost curve to {args.plot}")
    if args.blocks:
        draw_blocks(model, X_train.shape[1], args.blocks,
                    f"Building blocks of {model_description}, m = {X_train.shape[1]}")
        print(f"saved the building blocks to {args.blocks}")
    return 0
