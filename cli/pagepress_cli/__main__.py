import sys

from pagepress_cli.main import main

sys.exit(main())
