"""ridestream model pipeline: TLC rides -> contract checks -> 14 features -> models -> ONNX -> MLflow."""

__all__ = ["__version__"]
__version__ = "0.1.0"
