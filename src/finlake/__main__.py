from finlake.cli import main

raise SystemExit(main())
