from types import TracebackType

from cupy.cuda import runtime as runtime

class Device:
    id: int
    def __init__(self, device: int | None = ...) -> None: ...
    def __enter__(self) -> Device: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...
    def synchronize(self) -> None: ...
