"""Signals the lots app sends to apps above it (which lots may not import)."""

from django.dispatch import Signal

#: A lot's reservation ended without the material going to its holder (released, exited,
#: or the reserving step corrected). Sent inside the recording transaction with
#: `lot` (the Lot) and `holder_id` (the organisation it was reserved for); the market marks
#: the proposals that made the reservation as released.
reservation_ended = Signal()

#: Lots went on offer (published): sent after the recording transaction commits, with
#: `lot_ids`. The market tells the wanted lists that match them.
supply_published = Signal()
