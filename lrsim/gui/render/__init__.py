"""Animations and stills for slides: the frame renderer, the writers and the dialog.

``animation`` plans and draws the frames of ``lrsim render`` and File > Export
animation; ``frame`` lays out one frame (views, legend, lr strip, step counter);
``writers`` turns frames into GIF, MP4 or a PNG folder atomically; ``stills``
saves one picture of a view or a panel; ``dialog`` is the app's Render dialog.
"""
