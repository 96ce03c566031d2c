"""The one exception services raise to refuse an action, with a message for the user."""


class Refused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message
