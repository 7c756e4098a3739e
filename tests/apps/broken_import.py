raise ImportError("cannot import name 'engine' from 'db'")
