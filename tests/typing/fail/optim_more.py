"""Optimizer and scheduler mistakes that the signatures catch (mypy and pyright alike)."""

import shaped as sh
from shaped import losses, nn, optim
from shaped.optim import lr_scheduler

dev = sh.Cpu()
model = nn.Linear(4, 2, device=dev)
x, y = dev.randn((8, 4)), dev.randn((8, 2))
grads = model.alloc_grads()
loss = losses.mse_loss(model(x.traced(grads)), y)
adam = optim.Adam(model)

adam.update(loss.backward(), model)  # type: ignore[call-overload]  # E: No overload variant of "update" of "Optimizer" matches argument types "Gradients", "Linear[Literal[4], Literal[2], Float32]"
optim.LBFGS(model).step(lambda: loss)  # type: ignore[arg-type, return-value]  # E: Incompatible return value type
optim.Adam(model, betas=0.9)  # type: ignore[arg-type]  # E: Argument "betas" to "Adam" has incompatible type "float"; expected "tuple[float, float]"
lr_scheduler.ReduceLROnPlateau(adam, mode="median")  # type: ignore[arg-type]  # E: Argument "mode" to "ReduceLROnPlateau" has incompatible type
lr_scheduler.ReduceLROnPlateau(adam).step()  # type: ignore[call-arg]  # E: Missing positional argument "metrics" in call to "step" of "ReduceLROnPlateau"
lr_scheduler.OneCycleLR(adam, 0.1, 10, anneal_strategy="exp")  # type: ignore[arg-type]  # E: Argument "anneal_strategy" to "OneCycleLR" has incompatible type
lr_scheduler.StepLR(adam)  # type: ignore[call-arg]  # E: Missing positional argument "step_size" in call to "StepLR"
