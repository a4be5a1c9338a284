"""AWS's own rules that the emulator does not enforce, kept as data with their documentation
source, one service per module, so that validations and tests read them from one place."""
