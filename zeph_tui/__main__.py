from zeph_tui.cli import main

raise SystemExit(main())
