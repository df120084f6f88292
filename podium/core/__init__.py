"""The core: data and rules shared by the native API and every dialect."""
