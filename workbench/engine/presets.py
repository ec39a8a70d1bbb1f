"""The demo budget: what ``make demo`` (``workbench compare`` with its defaults) trains.

Chosen so that the four families train, validate and draw their figures on a 2-core laptop CPU in about
ten minutes together, and each clearly beats the chance level on the synthetic shapes: 768 steps of 8
images of 64 x 64 per model, each training image seen three times (more distinct scenes rather than more
epochs: with 256 scenes the FCN overfits), AdamW with the poly schedule, cross-entropy plus Dice.
"""
from workbench.engine.config import TrainConfig

DEMO_MODELS = ("fcn8s", "unet", "deeplabv3plus", "pspnet")
DEMO_DATA = {"num_images": 2048, "val_images": 64, "image_size": (64, 64)}  # synthetic shapes
DEMO_CONFIG = TrainConfig(epochs=3, batch_size=8, optimizer="adamw", lr=2e-3, weight_decay=1e-4, loss="ce+dice")
