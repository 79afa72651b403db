complete --keep-order --exclusive --command kauth --arguments "(COMPLETE=fish kauth -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
