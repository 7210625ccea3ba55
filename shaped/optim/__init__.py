"""Optimizers with torch.optim's update rules: `opt.update(model, grads)` after backward().

```python
opt = sh.optim.Adam(model, lr=1e-3)
grads = loss.backward()
opt.update(model, grads)
model.zero_grads(grads)
```

Parameters and groups, as torch: the first argument is a model (its parameters, read afresh
at each update, form one group), tensors, or a list of param group dicts, each with "params"
and any hyper-parameters that differ from the keyword defaults:

```python
opt = sh.optim.Sgd(
    [{"params": model.features.parameters()}, {"params": model.head.parameters(), "lr": 1e-3}],
    lr=1e-2, momentum=0.9,
)
opt.param_groups[1]["lr"] *= 0.5        # per group, between updates
opt.lr = 0.1                            # every group (reading opt.lr gives group 0's)
```

`opt.update(model, grads)`: when the optimizer was made from that one model, it steps the
parameters of the model given (today's spelling); when it was given tensors or groups, it
steps the groups' parameters, each with its group's settings, and the model argument is only
checked (a model parameter in no group is not stepped, as in torch). `opt.update(grads)`
steps the groups' parameters. `opt.step(closure)` runs `closure()`, which returns
`(loss, grads)`, then updates; LBFGS needs it (it re-evaluates the loss several times).

`opt.state_dict()` / `opt.load_state_dict(sd)` use torch's layout with numpy arrays, and load
a torch optimizer's state dict (tensors converted with `.numpy()`). `state_tensors(sd)` and
`state_from_tensors(tensors)` turn a state dict (an optimizer's or a scheduler's) into named
tensors for `sh.save` and back. Learning-rate schedules: `shaped.optim.lr_scheduler`.
"""

from __future__ import annotations

from shaped.optim import lr_scheduler
from shaped.optim.adagrad import Adadelta, Adagrad
from shaped.optim.adam import Adam, Adamax, AdamW
from shaped.optim.checkpoint import state_from_tensors, state_tensors
from shaped.optim.functional import sgd_step
from shaped.optim.lbfgs import LBFGS
from shaped.optim.nadam import NAdam, RAdam
from shaped.optim.optimizer import HasParameters, Optimizer
from shaped.optim.rmsprop import RMSprop
from shaped.optim.sgd import Sgd

__all__ = [
    "LBFGS",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "HasParameters",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "Sgd",
    "lr_scheduler",
    "sgd_step",
    "state_from_tensors",
    "state_tensors",
]
