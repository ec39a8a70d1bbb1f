"""One module per command of ``workbench`` (``train``, ``compare``, ``evaluate``, ``report``), each with
``run(args)`` and ``interrupted(out_dir, argv)``.

``workbench.cli`` builds the parser without them and imports the one module of the command it runs, so that
the heavy imports (torch, the models, the engine) sit here, at the command boundary; ``report`` needs none.
"""
