# A Python greeter for `cargo xtask bench`: exports wct:demo/greet (world `greeter` of
# wit/demo); plugged into the Python app it makes the ~37 MB composed component.
from wit_world import exports


class Greet(exports.Greet):
    def greet(self, name: str) -> str:
        return f"Hello from Python, {name}!"
