"""`qunce diff`: what a rule change would do, on the same data (like `terraform plan`)."""
