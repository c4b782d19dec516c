"""/ask, mentions and the buttons under an answer: logic, Discord side, renderings."""
