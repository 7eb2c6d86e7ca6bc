"""What the app shows a lecture hall: presentation mode, the run file's explanation and
the live sliders over the views.

``presentation`` turns the window into a projector layout and back; ``explanation``
is the run file's title and description beside the views; ``slider_overlay`` puts
the run cards' sliders over a corner of the views while presenting.
"""
