"""Labels on paper: rendering (SVG, PNG, PDF, ZPL) and the database data behind them."""
