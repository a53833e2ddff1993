"""The trained model's portable form, read by training, serving and the MLflow pyfunc."""
