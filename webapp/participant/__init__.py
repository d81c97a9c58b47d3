"""The participant's Q-sort, one small module per step.

``flow.page`` is the Streamlit page; it reads ``?study=<slug>&t=<token>`` and
shows the participant's current step: welcome and consent, the condition of
instruction, the pre-sort, the grid, the post-sort questions, the
demographic questions and the thank-you page. :mod:`.returning` greets a
browser that opens the study's open link again. Only :mod:`.session` calls
the store.
"""
