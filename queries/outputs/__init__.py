"""What people see and take away: charts, the map, page summaries, the 通报, the deck and the
Excel lists. Built from `metrics` and `research`, never from SQL of their own."""
