"""An app module that raises an exception outside the Exception hierarchy at import."""


class ShutdownRequested(BaseException):
    pass


raise ShutdownRequested("the config server asked us to stop")
