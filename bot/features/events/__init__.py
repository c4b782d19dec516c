"""/events and ``defnews events``: who met whom, visited, exercised, launched… (the index's events table)."""
